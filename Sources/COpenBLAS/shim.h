// OpenBLAS's CBLAS: the matrix products of the sentence-embedding model.
#include <cblas.h>
