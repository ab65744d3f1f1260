package demo.notes;

import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.Id;
import jakarta.persistence.ManyToMany;
import jakarta.persistence.ManyToOne;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

@Entity
public class Note {
    @Id
    @GeneratedValue
    private Long id;

    @NotBlank
    @Size(max = 500)
    private String text;

    @ManyToOne(fetch = FetchType.LAZY, optional = false)
    private Author author;

    @ManyToMany
    private Set<Tag> tags = new HashSet<>();

    private Instant createdAt = Instant.now();

    protected Note() {
    }

    public Note(String text, Author author) {
        this.text = text;
        this.author = author;
    }

    public Long getId() {
        return id;
    }

    public String getText() {
        return text;
    }

    public Author getAuthor() {
        return author;
    }

    public Set<Tag> getTags() {
        return tags;
    }

    public Instant getCreatedAt() {
        return createdAt;
    }
}
