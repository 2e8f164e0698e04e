/* A deliberately unsafe program for cppcheck to report on. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int table[10];

int lookup(int i)
{
    if (i == 10) {
        return table[i];
    }
    return table[0];
}

char *copy(const char *src)
{
    char buf[8];
    strcpy(buf, "this string is far too long");
    char *p = malloc(strlen(src) + 1);
    strcpy(p, src);
    return p;
}

void leak(const char *name)
{
    FILE *f = fopen(name, "r");
    char *mem = malloc(64);
    if (!mem)
        return;
    free(mem);
    free(mem);
}

int divide(int a)
{
    int zero = 0;
    int unused;
    return a / zero;
}

int uninit(void)
{
    int x;
    return x + 1;
}
