/* touch_pages FILE: maps FILE read-only (as heapsleuth maps a dump) and reads one byte of every
 * page, in order: the floor of any tool that looks at all of a mapped dump once. Prints the sum of
 * the bytes read so the loop cannot be optimised away. */
#define _DEFAULT_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: touch_pages FILE\n");
        return 2;
    }
    int fd = open(argv[1], O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        perror(argv[1]);
        return 2;
    }
    size_t size = (size_t)st.st_size, page = (size_t)sysconf(_SC_PAGESIZE);
    uint64_t sum = 0;
    if (size) {
        const volatile uint8_t *p = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            perror("mmap");
            return 2;
        }
        for (size_t off = 0; off < size; off += page)
            sum += p[off];
        munmap((void *)p, size);
    }
    close(fd);
    printf("%llu\n", (unsigned long long)sum);
    return 0;
}
