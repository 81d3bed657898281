fn main() {
    std::process::exit(arcplan::cli::run());
}
