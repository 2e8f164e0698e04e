resource "aws_s3_bucket" "public" {
  bucket = "scanmux-example"
  acl    = "public-read"
}
