/* The version reported by `heapsleuth --version` and in SARIF's tool.driver.version: CMake passes
 * the project version; the fallback serves builds outside CMake. */
#ifndef HS_VERSION_H
#define HS_VERSION_H

#ifndef HS_VERSION
#define HS_VERSION "0.1.0"
#endif

#endif
