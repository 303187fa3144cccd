#include "unit.h"
const struct utest t_derived[] = {{0}};
