package org.gproc.daemon.tree

import org.gproc.transport.ninep.server.FileTree
import org.gproc.transport.ninep.server.FileTreeContractSpec

/** The XCPU tree honours the transport's contract for file trees, at the root and inside a session. */
class XcpuTreeContractSpec extends FileTreeContractSpec {
    TreeFixture fixture

    @Override
    FileTree newTree() {
        fixture = new TreeFixture()
        fixture.newSession('alice@lab')
        fixture.tree
    }

    @Override
    void closeTree(FileTree tree) {
        fixture.close()
    }

    @Override
    List<String> readableFile() {
        ['arch']
    }

    @Override
    List<String> nonEmptyDirectory() {
        ['1']
    }

    @Override
    List<String> unwritableFile() {
        ['1', 'stdout']
    }
}

/** The same contract against the root directory. */
class XcpuTreeRootContractSpec extends XcpuTreeContractSpec {
    @Override
    List<String> nonEmptyDirectory() {
        []
    }

    @Override
    List<String> readableFile() {
        ['1', 'ctl']
    }
}
