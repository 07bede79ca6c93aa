fn main() {
    hoptac::start()
}
