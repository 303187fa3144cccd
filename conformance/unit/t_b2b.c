#include "unit.h"
const struct utest t_b2b[] = {{0}};
