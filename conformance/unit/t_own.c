#include "unit.h"
const struct utest t_own[] = {{0}};
