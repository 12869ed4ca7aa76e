#include "assay/daemon/config.hpp"
