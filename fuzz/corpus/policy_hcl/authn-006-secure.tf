resource "aws_iam_role" "r" {
  name               = "fixture"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect = "Allow"
        Principal = {
          Federated = "arn:aws:iam::111122223333:oidc-provider/gitlab.example.com"
        }
        Action = "sts:AssumeRoleWithWebIdentity"
        Condition = {
          StringEquals = {
            "gitlab.example.com:aud" = "https://gitlab.example.com"
            "gitlab.example.com:sub" = "project_path:my-group/app:ref_type:branch:ref:main"
          }
        }
      },
    ]
  })
}
