data "aws_iam_policy_document" "doc" {
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::444455556666:root"]
    }
    condition {
      test     = "StringEquals"
      variable = "sts:ExternalId"
      values   = ["5f1d2a9e-8c47-4f5b-a0e2-3b9c7d6e1f20"]
    }
  }
}

resource "aws_iam_role" "r" {
  name               = "fixture"
  assume_role_policy = data.aws_iam_policy_document.doc.json
}
