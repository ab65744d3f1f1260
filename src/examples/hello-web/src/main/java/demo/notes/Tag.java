package demo.notes;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.Id;
import jakarta.validation.constraints.Pattern;

@Entity
public class Tag {
    @Id
    @GeneratedValue
    private Long id;

    @Pattern(regexp = "[a-z-]+")
    @Column(unique = true)
    private String label;

    protected Tag() {
    }

    public String getLabel() {
        return label;
    }
}
