/* Deliberately poor C for the cppcheck settings test. */
#include <stdlib.h>
#include <string.h>

struct big {
	char data[1024];
};

int first(struct big b) {
	return b.data[0];
}

int scale(int x) {
	int unused = 3;
	return x << 31;
}

char *name(const char *in) {
	char *p = malloc(strlen(in));
	strcpy(p, in);
	return p;
}

int check(int *p) {
	int v = *p;
	if (p == NULL)
		return 0;
	return v;
}
