resource "aws_sns_topic" "t" {
  name = "alerts"
}

resource "aws_sns_topic_policy" "p" {
  arn    = aws_sns_topic.t.arn
  policy = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": {
        "AWS": "arn:aws:iam::111122223333:role/publisher"
      },
      "Action": "sns:Publish",
      "Resource": "arn:aws:sns:eu-west-1:111122223333:alerts"
    }
  ]
}
EOF
}
