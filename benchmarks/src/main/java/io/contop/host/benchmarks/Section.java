package io.contop.host.benchmarks;

import java.util.List;

/** A group of figures measured together, such as everything that needs the phone fleet. */
public interface Section {
    /** Returns the name that {@code --only} selects. */
    String name();

    /** Returns the figures this section records; a figure it leaves out after an error gets an error row. */
    List<Figure> figures();

    void run(Report report) throws Exception;
}
