package org.gproc.client.internal.exec

import spock.lang.AutoCleanup
import spock.lang.Shared
import spock.lang.Specification

import java.util.concurrent.Executors
import java.util.concurrent.ScheduledExecutorService
import java.util.concurrent.TimeUnit

class LinkGateSpec extends Specification {
    @Shared @AutoCleanup('shutdownNow') ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor()

    def "an upload's data waits until every expected request is sent, and a ticket counts once"() {
        given:
        def gate = new LinkGate()
        def first = gate.ticket()
        def second = gate.ticket()

        when:
        def clear = gate.whenClear(timers)
        first.run()
        first.run() // a launch that ends twice releases once

        then:
        !clear.done

        when:
        second.run()

        then:
        clear.get(5, TimeUnit.SECONDS) == null
        gate.whenClear(timers).done
    }

    def "nothing expected: the data goes at once"() {
        expect:
        new LinkGate().whenClear(timers).done
    }

    def "a request that never goes holds the data no longer than the longest hold"() {
        given:
        // long enough that a loaded machine cannot pass it between whenClear and the check of not done
        def gate = new LinkGate(2000)
        gate.ticket() // never run: a relayed launch stuck before its link line

        when:
        def clear = gate.whenClear(timers)

        then:
        !clear.done
        clear.get(10, TimeUnit.SECONDS) == null
    }

    def "a ticket taken after the gate cleared holds later uploads only"() {
        given:
        def gate = new LinkGate()
        def early = gate.whenClear(timers)

        when:
        def late = gate.ticket()
        def held = gate.whenClear(timers)

        then:
        early.done
        !held.done

        when:
        late.run()

        then:
        held.done
    }
}
