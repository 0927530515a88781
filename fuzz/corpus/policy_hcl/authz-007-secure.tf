data "aws_iam_policy_document" "doc" {
  statement {
    effect  = "Allow"
    actions = ["iam:PassRole"]
    resources = ["arn:aws:iam::111122223333:role/build"]
    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["codebuild.amazonaws.com"]
    }
  }
}

resource "aws_iam_policy" "p" {
  name   = "fixture"
  policy = data.aws_iam_policy_document.doc.json
}
