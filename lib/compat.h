/*
 * compat.h: included first by every file of aiops, as git's
 * git-compat-util.h: configuration results and the portability layer.
 */
#ifndef AIOPS_COMPAT_H
#define AIOPS_COMPAT_H

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "0.0.0"
#endif

#define AIOPS_UNUSED(x) ((void)(x))

#endif
