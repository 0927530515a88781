resource "aws_lambda_function" "fn" {
  function_name = "fn"
  role          = "arn:aws:iam::111122223333:role/fn"
  handler       = "app.handler"
  runtime       = "python3.12"
  filename      = "fn.zip"
  environment {
    variables = {
      DB_PASSWORD = "Sup3rS3cretPassw0rd"
    }
  }
}
