resource "aws_iam_role" "r" {
  name               = "fixture"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect = "Allow"
        Principal = {
          Service = "ec2.amazonaws.com"
        }
        Action = "sts:AssumeRole"
      },
      {
        Effect = "Allow"
        NotPrincipal = {
          AWS = "arn:aws:iam::111122223333:role/blocked"
        }
        Action = "sts:AssumeRole"
      },
    ]
  })
}
