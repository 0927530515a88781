resource "aws_iam_policy" "p" {
  name   = "fixture"
  policy = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": [
        "s3:GetObject"
      ],
      "Resource": "arn:aws:s3:::example-artifacts/*"
    }
  ]
}
EOF
}
