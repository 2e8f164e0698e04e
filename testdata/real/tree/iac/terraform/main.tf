# Deliberately insecure Terraform for tfsec and trivy config.
# Never apply it.
provider "aws" {
  region = "eu-west-1"
}

resource "aws_s3_bucket" "public_data" {
  bucket = "realsample-public-data"
}

resource "aws_s3_bucket_acl" "public_data" {
  bucket = aws_s3_bucket.public_data.id
  acl    = "public-read"
}

resource "aws_s3_bucket_public_access_block" "public_data" {
  bucket                  = aws_s3_bucket.public_data.id
  block_public_acls       = false
  block_public_policy     = false
  ignore_public_acls      = false
  restrict_public_buckets = false
}

resource "aws_security_group" "ssh" {
  name        = "ssh-from-anywhere"
  description = "SSH open to the world"

  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
