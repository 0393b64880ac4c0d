// amanat: a secure evidence vault with provenance. Entry point.
#include "cli/entry.h"

int main(int argc, char** argv) { return amanat::cli::Main(argc, argv); }
