data "aws_iam_policy_document" "doc" {
  statement {
    effect  = "Allow"
    actions = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.b.arn}/*"]
    condition {
      test     = "IpAddress"
      variable = "aws:SourceIp"
      values   = ["203.0.113.0/24"]
    }
  }
}

resource "aws_iam_policy" "p" {
  name   = "fixture"
  policy = data.aws_iam_policy_document.doc.json
}
