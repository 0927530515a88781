resource "aws_s3_bucket" "b" {
  bucket = "example-artifacts"
}

resource "aws_s3_bucket_policy" "p" {
  bucket = aws_s3_bucket.b.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect = "Allow"
        Principal = {
          AWS = "arn:aws:iam::111122223333:role/ci"
        }
        Action = "s3:GetObject"
        Resource = "${aws_s3_bucket.b.arn}/*"
      },
    ]
  })
}
