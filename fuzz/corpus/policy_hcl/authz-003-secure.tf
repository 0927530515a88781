data "aws_iam_policy_document" "doc" {
  statement {
    effect  = "Allow"
    actions = ["iam:GetRole", "iam:ListRoles"]
    resources = ["*"]
  }
}

resource "aws_iam_policy" "p" {
  name   = "fixture"
  policy = data.aws_iam_policy_document.doc.json
}
