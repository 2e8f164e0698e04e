package scanmux.iac.lib_test

import data.scanmux.iac.lib

test_image_tag if {
	lib.image_tag("golang:1.22") == "1.22"
	lib.image_tag("localhost:5000/team/app:v2") == "v2"
	not lib.image_tag("localhost:5000/team/app")
	not lib.image_tag("golang:1.22@sha256:abcd")
}

test_image_unpinned_reason if {
	lib.image_unpinned_reason("golang") == "no tag"
	lib.image_unpinned_reason("golang:latest") == "the latest tag"
	lib.image_unpinned_reason("registry.example.com:443/golang:LATEST") == "the latest tag"
	lib.image_unpinned_reason("registry.example.com:443/golang") == "no tag"
	not lib.image_unpinned_reason("golang:1.22.5")
	not lib.image_unpinned_reason("golang@sha256:0123456789abcdef")
	not lib.image_unpinned_reason("golang:latest@sha256:0123456789abcdef")
}

test_secret_name if {
	every n in ["DB_PASSWORD", "password", "GITHUB_TOKEN", "AWS_SECRET_ACCESS_KEY", "API_KEY", "apikey", "npm-token", "app.secret"] {
		lib.secret_name(n)
	}
}

test_not_secret_name if {
	every n in ["PATH", "GPG_KEY", "PUBLIC_KEY", "DB_PASSWORD_FILE", "TOKEN_URL", "SSH_KEY_PATH", "KEYCLOAK_URL", "MONKEY", "TOKENIZER", "AWS_ACCESS_KEY_ID", "SECRET_NAME"] {
		not lib.secret_name(n)
	}
}

test_capability if {
	lib.capability("cap_sys_admin") == "SYS_ADMIN"
	lib.capability("NET_ADMIN") in lib.dangerous_capabilities
	not lib.capability("NET_BIND_SERVICE") in lib.dangerous_capabilities
}

test_result_takes_the_id_from_metadata if {
	lib.result({"custom": {"id": "SMX-X-001"}}, {"line": 3, "id": "spoofed"}) == {"id": "SMX-X-001", "line": 3}
}
