/* SPDX-License-Identifier: GPL-2.0-only */
/* The one version string: `iotsense --version`, the API's status, the CEF/LEEF headers. A build may set it. */
#ifndef IOTSENSE_VERSION_H
#define IOTSENSE_VERSION_H

#ifndef IOTSENSE_VERSION
#define IOTSENSE_VERSION "0.1.0"
#endif

#endif
