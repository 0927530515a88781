resource "aws_iam_policy" "p" {
  name   = "fixture"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect = "Allow"
        Action = ["kms:PutKeyPolicy", "kms:CreateGrant"]
        Resource = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
      },
    ]
  })
}
