package codescanning

import "testing"

func TestRepoFromRemote(t *testing.T) {
	for remote, want := range map[string]string{
		"https://github.com/octo-org/octo-repo.git":                    "octo-org/octo-repo",
		"https://github.com/octo-org/octo-repo":                        "octo-org/octo-repo",
		"https://x-access-token:abc@github.com/octo-org/octo-repo.git": "octo-org/octo-repo",
		"git@github.com:octo-org/octo-repo.git":                        "octo-org/octo-repo",
		"ssh://git@github.com/octo-org/octo.repo.git":                  "octo-org/octo.repo",
		"/srv/git/repo.git":                                            "",
		"":                                                             "",
	} {
		if got := repoFromRemote(remote); got != want {
			t.Errorf("repoFromRemote(%q) = %q, want %q", remote, got, want)
		}
	}
}
