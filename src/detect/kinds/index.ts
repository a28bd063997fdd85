// The rule kinds of the engine, one processor each: counting windows, ordered sequences and novelty.
