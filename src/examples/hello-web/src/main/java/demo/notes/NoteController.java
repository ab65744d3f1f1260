package demo.notes;

import java.util.List;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import org.springframework.data.domain.PageRequest;
import org.springframework.http.HttpStatus;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/** Notes, backed by H2 and filled with a fixture at start (data.sql): a fresh generation starts pristine. */
@RestController
public class NoteController {
    public record NoteView(long id, String text, String author) {
        static NoteView of(Note n) {
            return new NoteView(n.getId(), n.getText(), n.getAuthor().getName());
        }
    }

    public record AuthorView(long id, String name, long notes) {
    }

    private final NoteRepository notes;
    private final AuthorRepository authors;

    public NoteController(NoteRepository notes, AuthorRepository authors) {
        this.notes = notes;
        this.authors = authors;
    }

    @GetMapping("/notes")
    public List<NoteView> latest(@RequestParam(defaultValue = "10") int size) {
        return notes.latest(PageRequest.of(0, Math.min(size, 100))).stream().map(NoteView::of).toList();
    }

    @GetMapping("/notes/count")
    public long count() {
        return notes.count();
    }

    /** A test adds a note (plain text, 1–500 characters, by the first author); answers the new count. */
    @PostMapping("/notes")
    @ResponseStatus(HttpStatus.CREATED)
    @Transactional
    public long add(@RequestBody @NotBlank @Size(max = 500) String text) {
        Author first = authors.findAll(PageRequest.of(0, 1)).stream().findFirst()
                .orElseThrow(() -> new ResponseStatusException(HttpStatus.CONFLICT, "no author yet"));
        notes.save(new Note(text.strip(), first));
        return notes.count();
    }

    @GetMapping("/authors")
    public List<AuthorView> authors() {
        return authors.findAll().stream()
                .map(a -> new AuthorView(a.getId(), a.getName(), notes.countByAuthorId(a.getId()))).toList();
    }

    @GetMapping("/authors/{id}/notes")
    @Transactional(readOnly = true)
    public List<NoteView> byAuthor(@PathVariable long id) {
        return notes.findByAuthorIdOrderByIdDesc(id, PageRequest.of(0, 20)).stream().map(NoteView::of).toList();
    }
}
