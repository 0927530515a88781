resource "aws_iam_policy" "p" {
  name   = "fixture"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect = "Deny"
        NotAction = ["s3:GetObject"]
        Resource = "*"
      },
      {
        Effect = "Allow"
        Action = ["s3:GetObject"]
        Resource = "${aws_s3_bucket.b.arn}/*"
      },
    ]
  })
}
