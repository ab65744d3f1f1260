package dev.cracdev.it;

/** The contract for the cold engine (the baseline). */
class ColdEngineIT extends AbstractEngineContractIT {
    @Override
    protected String engine() {
        return "cold";
    }
}
