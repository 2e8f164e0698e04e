# INTENTIONALLY INSECURE test fixture.
resource "aws_s3_bucket" "public" {
  bucket = "example-public"
  acl    = "public-read-write"
}

resource "aws_s3_bucket_public_access_block" "public" {
  bucket            = aws_s3_bucket.public.id
  block_public_acls = true
}

resource "aws_security_group_rule" "rdp" {
  type              = "ingress"
  from_port         = 3389
  to_port           = 3389
  protocol          = "tcp"
  security_group_id = aws_security_group.admin.id
  cidr_blocks = [
    "10.0.0.0/8",
    "0.0.0.0/0",
  ]
}

resource "aws_vpc_security_group_ingress_rule" "everything" {
  security_group_id = aws_security_group.admin.id
  ip_protocol       = "-1"
  cidr_ipv6         = "::/0"
}

resource "aws_db_instance" "public" {
  identifier          = "public"
  engine              = "mysql"
  publicly_accessible = true
}

resource "aws_db_instance" "plain" {
  identifier        = "plain"
  engine            = "postgres"
  storage_encrypted = false
}
