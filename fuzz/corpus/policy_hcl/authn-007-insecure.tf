data "aws_iam_policy_document" "doc" {
  statement {
    effect  = "Allow"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::444455556666:root"]
    }
  }
}

resource "aws_iam_role" "r" {
  name               = "fixture"
  assume_role_policy = data.aws_iam_policy_document.doc.json
}
