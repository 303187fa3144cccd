#include "unit.h"
const struct utest t_misc[] = {{0}};
