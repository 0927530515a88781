resource "aws_s3_bucket" "b" {
  bucket = "example-artifacts"
}

data "aws_iam_policy_document" "doc" {
  statement {
    effect  = "Allow"
    actions = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.b.arn}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "IpAddress"
      variable = "aws:SourceIp"
      values   = ["0.0.0.0/0"]
    }
    condition {
      test     = "StringLike"
      variable = "aws:Referer"
      values   = ["https://www.example.com/*"]
    }
  }
}

resource "aws_s3_bucket_policy" "p" {
  bucket = aws_s3_bucket.b.id
  policy = data.aws_iam_policy_document.doc.json
}
