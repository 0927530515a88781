resource "aws_codebuild_project" "build" {
  name         = "build"
  service_role = "arn:aws:iam::111122223333:role/build"
  artifacts {
    type = "NO_ARTIFACTS"
  }
  environment {
    compute_type = "BUILD_GENERAL1_SMALL"
    image        = "aws/codebuild/standard:7.0"
    type         = "LINUX_CONTAINER"
  }
  source {
    type     = "GITHUB_ENTERPRISE"
    location = "https://git.example.com/org/app.git"
  }
}
