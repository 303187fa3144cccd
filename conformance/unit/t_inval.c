#include "unit.h"
const struct utest t_inval[] = {{0}};
