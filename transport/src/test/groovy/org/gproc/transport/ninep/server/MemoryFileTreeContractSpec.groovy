package org.gproc.transport.ninep.server

/** The test fixture honours the contract it is used to test the core with. */
class MemoryFileTreeContractSpec extends FileTreeContractSpec {
    @Override
    FileTree newTree() {
        new MemoryFileTree()
    }

    @Override
    List<String> readableFile() {
        ['hello']
    }

    @Override
    List<String> nonEmptyDirectory() {
        ['sub']
    }

    @Override
    List<String> unwritableFile() {
        ['readonly']
    }
}
