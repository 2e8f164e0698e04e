/* Deliberately insecure sample for the runner tests. */
#include <string.h>
#include <stdio.h>

void copy(char *in) {
	char buf[8];
	strcpy(buf, in);
	printf(in);
}

int main(int argc, char **argv) {
	int a[4];
	a[4] = 1;
	copy(argv[1]);
	return a[0];
}
