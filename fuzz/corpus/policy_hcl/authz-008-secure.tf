resource "aws_iam_policy" "p" {
  name   = "fixture"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect = "Allow"
        Action = ["iam:PassRole"]
        Resource = "arn:aws:iam::111122223333:role/fn-exec"
        Condition = {
          StringEquals = {
            "iam:PassedToService" = "lambda.amazonaws.com"
          }
        }
      },
      {
        Effect = "Allow"
        Action = ["lambda:CreateFunction", "lambda:InvokeFunction"]
        Resource = "*"
      },
    ]
  })
}
