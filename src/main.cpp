#include "greenlight/cli/cli.hpp"

int main(int argc, char** argv) {
    return greenlight::cli::main(argc, argv);
}
