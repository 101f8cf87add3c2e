package org.gproc.transport.ssh;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;

import org.apache.sshd.client.session.ClientSession;

/**
 * The authenticated connections to gateways, one per chain of hops, shared by every node reached through it and
 * closed when the last of them lets go (a chain's connection holds the connection to its previous hop the same way).
 * A link whose connection failed or closed is replaced on the next acquire; its current holders keep the old one
 * until they release it.
 */
final class GatewayLinks {

    /** One gateway connection being opened or open, with the number of connections that use it. */
    static final class Link {
        final List<JumpHost> chain;
        final Link upstream;
        final CompletableFuture<ClientSession> session = new CompletableFuture<>();
        private int users; // guarded by GatewayLinks.this.links

        private Link(List<JumpHost> chain, Link upstream) {
            this.chain = chain;
            this.upstream = upstream;
        }

        JumpHost gateway() {
            return chain.get(chain.size() - 1);
        }

        private boolean dead() {
            if (!session.isDone()) {
                return false;
            }
            ClientSession s = session.isCompletedExceptionally() ? null : session.join();
            return s == null || s.isClosing() || s.isClosed();
        }

        @Override
        public String toString() {
            return String.join(" -> ", chain.stream().map(JumpHost::toString).toList());
        }
    }

    private final Map<List<JumpHost>, Link> links = new HashMap<>();
    /** Opens the connection to a link's last gateway through its upstream link (null for the first hop). */
    private final BiFunction<Link, Link, CompletableFuture<ClientSession>> opener;

    GatewayLinks(BiFunction<Link, Link, CompletableFuture<ClientSession>> opener) {
        this.opener = opener;
    }

    /** The link for {@code chain} (first hop first), counted as used once more; opened if there is none. */
    Link acquire(List<JumpHost> chain) {
        Link link;
        Link upstream = null;
        synchronized (links) {
            link = links.get(chain);
            if (link != null && !link.dead()) {
                link.users++;
                return link;
            }
            if (chain.size() > 1) {
                upstream = acquire(chain.subList(0, chain.size() - 1));
            }
            link = new Link(List.copyOf(chain), upstream);
            link.users = 1;
            links.put(link.chain, link);
        }
        Link opened = link;
        opener.apply(opened, upstream).whenComplete((s, e) -> {
            if (e != null) {
                forget(opened);
                opened.session.completeExceptionally(e);
                return;
            }
            s.addCloseFutureListener(f -> forget(opened));
            if (!opened.session.complete(s)) {
                s.close(true);
            }
        });
        return link;
    }

    /** One user fewer; the last one closes the connection and lets go of the previous hop. */
    void release(Link link) {
        synchronized (links) {
            if (--link.users > 0) {
                return;
            }
            links.remove(link.chain, link);
        }
        link.session.whenComplete((s, e) -> {
            if (s != null) {
                s.close(false);
            }
        });
        if (link.upstream != null) {
            release(link.upstream);
        }
    }

    /** Gateway connections open or being opened (for specs). */
    int size() {
        synchronized (links) {
            return links.size();
        }
    }

    private void forget(Link link) {
        synchronized (links) {
            links.remove(link.chain, link);
        }
    }
}
