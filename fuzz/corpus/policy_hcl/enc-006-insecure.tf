resource "aws_codepipeline" "app" {
  name     = "app"
  role_arn = "arn:aws:iam::111122223333:role/pipeline"
  artifact_store {
    location = "example-artifacts"
    type     = "S3"
  }
  stage {
    name = "Source"
    action {
      name             = "Source"
      category         = "Source"
      owner            = "ThirdParty"
      provider         = "GitHub"
      version          = "1"
      output_artifacts = ["src"]
      configuration = {
        Owner = "my-org"
        Repo = "app"
        Branch = "main"
        OAuthToken = var.github_token
      }
    }
  }
  stage {
    name = "Build"
    action {
      name            = "Build"
      category        = "Build"
      owner           = "AWS"
      provider        = "CodeBuild"
      version         = "1"
      input_artifacts = ["src"]
      configuration = {
        ProjectName = "build"
      }
    }
  }
}
