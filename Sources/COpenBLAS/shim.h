#ifndef REBUY_COPENBLAS_SHIM_H
#define REBUY_COPENBLAS_SHIM_H
#include <cblas.h>
#include <lapacke.h>
#endif
