#include "unit.h"
const struct utest t_time[] = {{0}};
