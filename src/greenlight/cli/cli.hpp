// The command line: parses arguments, dispatches to one command, maps the outcome to an exit code.
#pragma once

namespace greenlight::cli {

int main(int argc, char** argv);

}  // namespace greenlight::cli
