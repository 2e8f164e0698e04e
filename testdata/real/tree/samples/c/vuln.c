/* Deliberately vulnerable sample for cppcheck and flawfinder.
 * Never run it; never copy from it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int table[10];

int overflow_index(void)
{
    table[10] = 1;          /* array index out of bounds */
    return table[0];
}

void copy_name(const char *src)
{
    char name[16];
    strcpy(name, src);      /* unbounded copy */
    printf("%s\n", name);
}

void format_greeting(const char *user)
{
    char buf[32];
    sprintf(buf, "Hello, %s!", user);
    printf(buf);
}

void read_line(void)
{
    char line[64];
    gets(line);
    puts(line);
}

int leak(void)
{
    char *p = malloc(64);
    if (p == NULL)
        return -1;
    strcat(p, "x");
    return 0;               /* memory leak */
}

int main(int argc, char **argv)
{
    int unused;
    if (argc > 1) {
        copy_name(argv[1]);
        format_greeting(argv[1]);
        system(argv[1]);
    }
    read_line();
    return overflow_index() + leak();
}
