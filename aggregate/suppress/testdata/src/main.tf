resource "aws_s3_bucket" "public" {
  # checkov:skip=CKV_AWS_20:public website bucket by design
  bucket = "site"
  acl    = "public-read"
}

#trivy:ignore:AVD-AWS-0086
resource "aws_s3_bucket_public_access_block" "x" {
  bucket = aws_s3_bucket.public.id
}
