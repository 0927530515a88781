resource "aws_iam_policy" "p" {
  name   = "fixture"
  policy = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "*",
      "Resource": "arn:aws:s3:::example-artifacts/*"
    }
  ]
}
EOF
}
